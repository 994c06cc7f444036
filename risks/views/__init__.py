"""Views of the risk area, one module per page family."""
