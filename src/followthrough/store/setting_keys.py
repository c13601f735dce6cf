"""The keys of the setting table's rows, read by the ORM and by plain sqlite3 alike."""

POLICY_KEY = "policy"  # the decision rules' numbers (domain/policy.py)
SAMPLE_KEY = "sample_leads"  # present while the sample pipeline is loaded
