"""The API's routes, one module per resource, each an ``APIRouter`` mounted under ``/api/v1``."""
