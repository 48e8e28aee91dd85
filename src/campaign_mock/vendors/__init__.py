"""The vendor packages, one per vendor; `registry` lists the ones served."""
