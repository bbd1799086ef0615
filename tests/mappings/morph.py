"""Run morph-kgc, the reference RML engine, in its own venv.

morph-kgc 2.10 pins pyoxigraph<0.4 and rdflib<7.3, so it lives in
``.ci/morph-venv`` (made by ``.ci/install-morph-kgc.sh``) and runs as a
subprocess. Reuse :func:`run_morph_kgc` to check a real mapping file::

    graph = run_morph_kgc(Path("mappings/kela.yarrrml.yml"), Path("extracts/kela"))
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import textwrap
from pathlib import Path

from rdflib import Graph

REPO = Path(__file__).resolve().parents[2]
INSTALL_HINT = "run .ci/install-morph-kgc.sh to create the morph-kgc venv"


def morph_kgc_python() -> Path:
    """The venv's interpreter: ``$TYODATA_MORPH_KGC_PYTHON`` or ``.ci/morph-venv``."""
    configured = os.environ.get("TYODATA_MORPH_KGC_PYTHON")
    return Path(configured) if configured else REPO / ".ci" / "morph-venv" / "bin" / "python"


def morph_kgc_available() -> bool:
    python = morph_kgc_python()
    if not python.is_file():
        return False
    probe = subprocess.run([str(python), "-c", "import morph_kgc"], capture_output=True,
                           timeout=120)
    return probe.returncode == 0


def run_morph_kgc(mapping_path: Path, data_dir: Path, *, timeout: float = 300) -> Graph:
    """Materialise ``mapping_path`` with morph-kgc and return the triples.

    morph-kgc resolves ``rml:source`` paths against its working directory, so
    it runs in ``data_dir``. One process, no multiprocessing (CI has 2 cores).

    :raises RuntimeError: if morph-kgc fails; the message carries its output.
    """
    with tempfile.TemporaryDirectory(prefix="morph-kgc-") as tmp:
        output = Path(tmp) / "out.nt"
        config = Path(tmp) / "config.ini"
        config.write_text(textwrap.dedent(f"""\
            [CONFIGURATION]
            output_file: {output}
            output_format: N-TRIPLES
            number_of_processes: 1
            logging_level: WARNING

            [mapping]
            mappings: {Path(mapping_path).resolve()}
            """), encoding="utf-8")
        result = subprocess.run([str(morph_kgc_python()), "-m", "morph_kgc", str(config)],
                                cwd=data_dir, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0 or not output.exists():
            raise RuntimeError(f"morph-kgc failed on {mapping_path} (exit "
                               f"{result.returncode}):\n{result.stdout}\n{result.stderr}")
        graph = Graph()
        graph.parse(output, format="nt")
        return graph
