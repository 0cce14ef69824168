// A real OpenID provider for the tests and the demo: npm's oidc-provider (OpenID-certified),
// with its development login and consent pages (any password is accepted).
//
//   node tests/oidc/provider.mjs '{"port": 9100, "clients": [{"client_id": "...", ...}]}'
//
// Prints "ready <issuer>" once it listens on 127.0.0.1. Accounts: every login signs in;
// "alice" carries a customer id and a tier, "unverified" an email its provider has not
// verified; any other login gets <login>@example.com, verified, and no customer claims.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.PARVIS_NODE_TOOLS || path.join(here, "..", "..", ".ci", "node_modules");
const require = createRequire(path.join(modules, "noop.js"));
const { default: Provider } = await import(require.resolve("oidc-provider"));

const options = JSON.parse(process.argv[2] || "{}");
const port = options.port || 9100;
const issuer = options.issuer || `http://127.0.0.1:${port}`;

const PEOPLE = {
  alice: {
    email: "alice@northwind.example", email_verified: true, name: "Alice Martin",
    customer_id: "NW-1001", customer_tier: "gold",
  },
  unverified: { email: "ann@example.com", email_verified: false, name: "Not Ann" },
};

function claimsOf(login) {
  return PEOPLE[login] || { email: `${login}@example.com`, email_verified: true, name: login };
}

const provider = new Provider(issuer, {
  clients: options.clients || [],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "customer_id", "customer_tier"],
  },
  scopes: ["openid", "email", "profile", "offline_access"],
  cookies: { keys: ["parvis-test-provider-cookie-key"] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...claimsOf(id) }),
  }),
  // As certified: with an access token, the ID token has only `sub`; the rest is userinfo's.
  conformIdTokenClaims: options.conformIdTokenClaims ?? true,
});
provider.proxy = false;

const server = provider.listen(port, "127.0.0.1", () => {
  process.stdout.write(`ready ${issuer}\n`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
