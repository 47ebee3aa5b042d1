"""Layer 2: rows of every task (hub, local copy or sandbox world), the preflight and local copies."""
