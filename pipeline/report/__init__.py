"""Topic reports for journalists: store queries → figures (build) → HTML, Markdown or CSV (render)."""

from .build import Report, ReportRequest, build_report
from .render import FORMATS, render

__all__ = ["FORMATS", "Report", "ReportRequest", "build_report", "render"]
