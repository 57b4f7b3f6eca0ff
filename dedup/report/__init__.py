"""`dedup report`: a scan's clusters as one self-contained HTML page (pure parts)."""
