-- A merchant is an account holder with the `merchant` role (docs/payments.md):
-- it can be paid with POST /payments and refunds what it was paid.

ALTER TABLE identity_user_roles DROP CONSTRAINT identity_user_roles_role_check;
ALTER TABLE identity_user_roles ADD CONSTRAINT identity_user_roles_role_check
  CHECK (role IN ('customer', 'merchant', 'finance', 'auditor', 'admin'));
