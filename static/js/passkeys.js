// The two-factor page: once django-otp-webauthn's script has registered a passkey, show it in the list.
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
