from helpdesk.accounts.access import customer_required, engineer_required

__all__ = ["customer_required", "engineer_required"]
