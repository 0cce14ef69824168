"""Importing another community's content: Stack Exchange data dumps (`stackexchange`)."""
