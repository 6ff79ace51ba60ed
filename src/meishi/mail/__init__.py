"""Mail: messages and their header checks, SMTP, the outbox and the mail-server passwords."""
