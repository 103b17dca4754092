"""Screening: crypto addresses and party names against sanctions, scam and attribution lists (pure).

``chains`` parses and canonicalises addresses per chain; ``sources`` turns real list formats into
``entries``; ``names`` matches people and companies; the index, policy and snapshot diff sit here.
"""
