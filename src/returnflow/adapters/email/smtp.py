"""Customer emails over SMTP (smtplib), one connection per message."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from returnflow.services.mail_port import OutgoingEmail


class SmtpMailer:
    """Sends through an SMTP server; STARTTLS and login only when configured."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        username: str = "",
        password: str = "",
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password, self.timeout = starttls, username, password, timeout

    def send(self, email: OutgoingEmail) -> None:
        """Deliver one message (raises on any SMTP failure)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, email.to, email.subject
        message.set_content(email.text)
        for item in email.attachments:
            maintype, _, subtype = item.content_type.partition("/")
            message.add_attachment(item.content, maintype=maintype, subtype=subtype, filename=item.filename)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)
