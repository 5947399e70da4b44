// Metrics: mode coverage, divergences and the protocol every reported number carries.
