"""The pages of management reviews, their action items and team meeting records."""
