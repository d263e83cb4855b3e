"""Email adapters: SMTP delivery and the shipped customer email templates."""
