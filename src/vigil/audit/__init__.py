"""The audit log: every action and every read of customer data by a person, appended and hash-chained
so that `vigil audit verify` detects a change or a deletion."""

from vigil.audit.chain import Verification
from vigil.audit.trail import AuditTrail

__all__ = ["AuditTrail", "Verification"]
