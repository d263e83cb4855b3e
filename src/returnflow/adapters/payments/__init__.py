"""Payment gateways behind the payments port."""
