"""JSON Schemas shipped with kportable: report, config, cloud profile, rule cases."""
