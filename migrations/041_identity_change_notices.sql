-- Pushes every change to what the access guard reads about a session (the
-- session itself, its user, the user's roles) to all processes: a NOTIFY on
-- the channel identity_changed with the user's id as payload, sent when the
-- writing transaction commits. Processes that cache live sessions for a few
-- seconds drop the user's entries on it (docs/identity.md, "Session check"),
-- whichever process or tool made the change, plain SQL included.

CREATE FUNCTION identity_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('identity_changed', OLD.user_id::text);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('identity_changed', NEW.user_id::text);
  IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
    PERFORM pg_notify('identity_changed', OLD.user_id::text);
  END IF;
  RETURN NEW;
END;
$$;

CREATE FUNCTION identity_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('identity_changed', OLD.id::text);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('identity_changed', NEW.id::text);
  RETURN NEW;
END;
$$;

CREATE TRIGGER identity_sessions_changed AFTER UPDATE OR DELETE ON identity_sessions
  FOR EACH ROW EXECUTE FUNCTION identity_notify_change();

CREATE TRIGGER identity_user_roles_changed AFTER INSERT OR UPDATE OR DELETE ON identity_user_roles
  FOR EACH ROW EXECUTE FUNCTION identity_notify_change();

CREATE TRIGGER identity_users_changed AFTER UPDATE OR DELETE ON identity_users
  FOR EACH ROW EXECUTE FUNCTION identity_notify_user_change();
