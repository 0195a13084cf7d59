// django-otp-webauthn's script runs the ceremony on the profile page and announces success with
// an event; reload so the new key is listed (the server has queued a confirmation message).
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
