"""Koncierge: a deployment-requirements language and its compiler.

The pipeline runs in one direction: syntax (`koncierge_lang.syntax`) -> checked requirements model
(`koncierge_lang.requirements`) -> deployment architecture model -> Kubernetes manifests. One entry
point, `koncierge_lang.analysis.analyze`, runs it for every client and never raises on user input.
"""

__version__ = "0.1.0"
