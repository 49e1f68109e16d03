"""Slot engine, availability, appointments and series: the scheduling core."""
