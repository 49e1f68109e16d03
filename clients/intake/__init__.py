"""Intake: the client's forms, questionnaires, screeners, consent and safety alerts."""
