DROP INDEX mail_outbox_status;
DROP INDEX audit_log_time;
DROP INDEX sessions_active;
DROP TABLE login_throttle;
DROP TABLE account_tokens;
