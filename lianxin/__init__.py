"""Lianxin shared package: what every service and the gateway need, written once.

settings, clock, errors, the event envelope and bus, store access, the outbox, leases,
the RPC proxy pool, the case state machine and the submission schema.
"""

import warnings

# nameko 2 runs on eventlet, which warns on every import that it is deprecated
# (docs/platform.md §2).
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
