// A real OpenID Connect provider for Rehab's sign-in tests: panva's oidc-provider
// (OpenID Certified), with its development login form standing in for the SITHS
// card. Everything comes from the environment (tests/browser/test_oidc.py sets it):
//   PORT                    port on 127.0.0.1 (the issuer is http://127.0.0.1:PORT)
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI   the one client (Rehab)
//   ACCOUNTS                JSON {login: {name, email, employeeHsaId, ...}}: the people
//                           the IdP knows; a login not listed gets only a name.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9010);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');

const configuration = {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      post_logout_redirect_uris: [process.env.POST_LOGOUT_REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'employeeHsaId'],
  },
  cookies: { keys: ['rehab-test-oidc-provider-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const claims = accounts[id] || { name: id };
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: Boolean(claims.email), ...claims };
      },
    };
  },
  // Rehab is the IdP's own (first-party) client: no consent screen, as at Inera.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
