"""``faers serve``: a local signal explorer over the warehouse (Starlette + uvicorn + jinja2 + Plotly).

Pages (stable URLs, every table also as CSV with ``&csv=TABLE``): ``/`` search, ``/drug?drug=``, ``/pair?drug=&pt=``,
``/case/{case_id}``, ``/status``. The server reads the marts on a read-only DuckDB connection (``db``), with
parameterised SQL only (``queries``); what a page needs is precomputed by the dbt models in
models/marts/explorer/.
"""

from faers.serve.app import create_app
from faers.serve.db import QueryTimeout, Warehouse

__all__ = ["QueryTimeout", "Warehouse", "create_app"]
