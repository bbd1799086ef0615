"""The catalogue: DCAT-AP 3 / MLDCAT-AP 3.1 descriptions of every dataset, data product and
model the service offers, built from what the service knows, validated against the official
shapes, searchable, with lineage, harvestable."""
