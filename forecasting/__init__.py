"""The work-ability forecast: a person's risk of a work-disability benefit within two years
of entering employment services, the pilot's second experiment.

- ``features/``: the features by SPARQL over the pseudonymous extract graphs (one .rq file per
  feature group), and ``features.toml``, the data-minimisation list of what is read and why;
- ``cohort``: the training cohort with its features and outcome; ``person``: one client's;
- ``split``, ``models``, ``evaluate``, ``explain``: time-based split, the three models, their
  figures beside the ceiling (the generator's true probabilities), per-person factor impacts;
- ``train``: one training run, written by ``model_store`` as a version folder with
  ``report`` (report.json) and ``plots``; ``model_store.load_current`` forecasts with the
  newest.

The forecast supports a case worker's conversation with the client; it never decides.
"""
