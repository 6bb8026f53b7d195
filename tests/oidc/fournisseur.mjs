// Test OpenID provider for the integration tests.
//
// Runs ONE real OpenID Connect provider (the certified `oidc-provider` library)
// on 127.0.0.1. This file only holds the glue a host application must write:
// accounts, the login page, the logout pages and a few test controls.
//
// Usage: node tests/oidc/fournisseur.mjs CONFIG.json
// Prints one JSON line on stdout once listening: {"issuer":"http://127.0.0.1:PORT","port":PORT}
// Diagnostics go to stderr. Exits when stdin is closed, and on SIGTERM / SIGINT.
// Dependencies are loaded from $REGISTRE_OUTILS/node_modules (default: <repo>/target/outils).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// stdout carries exactly one line; the library prints notices with console.info.
// Route everything to stderr and drop the notices we know are expected here.
const ignored = [/in-memory adapter/, /Unsupported runtime/, /quick start development-only/];
const log = (...args) => {
  const text = args.map(String).join(' ');
  if (!ignored.some((re) => re.test(text))) process.stderr.write(`[fournisseur] ${text}\n`);
};
console.log = console.info = console.warn = console.debug = log;

const here = path.dirname(fileURLToPath(import.meta.url));
const outils = path.resolve(process.env.REGISTRE_OUTILS || path.join(here, '..', '..', 'target', 'outils'));
const requireFrom = createRequire(path.join(outils, 'node_modules', 'x.js'));
const load = (name) => import(pathToFileURL(requireFrom.resolve(name)).href);
const { default: Provider } = await load('oidc-provider');
const jose = await load('jose');

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: node fournisseur.mjs CONFIG.json\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const comptes = config.comptes || [];
const extraScopes = config.scopes || {};

const aleatoire = (n = 16) => randomBytes(n).toString('base64url');
const echapper = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Signing key: kept in memory so the test controls can re-sign with it.
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const kid = aleatoire(12);
const privateJwk = { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

// One-shot tampering of the next successful token response.
let falsification = null;
const MODES = new Set(['audience', 'expire', 'nonce', 'kid', 'none', 'signature', 'emetteur', 'rotation']);
// 'rotation': a new key signs the next ID token and is published in the JWKS from then on,
// as a provider rotating its keys does (the relying party must fetch the keys again).
let cleTournee = null;

async function signer(payload, key, headerKid) {
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RS256', kid: headerKid })
    .sign(key);
}

async function falsifier(idToken, mode) {
  const payload = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  const autreCle = async () => (await jose.generateKeyPair('RS256')).privateKey;
  switch (mode) {
    case 'audience': return signer({ ...payload, aud: 'un-autre-client' }, privateKey, kid);
    case 'expire': return signer({ ...payload, iat: now - 7200, exp: now - 3600 }, privateKey, kid);
    case 'nonce': return signer({ ...payload, nonce: 'un-autre-nonce' }, privateKey, kid);
    case 'emetteur': return signer({ ...payload, iss: 'http://127.0.0.1:1' }, privateKey, kid);
    case 'kid': return signer(payload, await autreCle(), 'cle-inconnue');
    case 'signature': return signer(payload, await autreCle(), kid);
    case 'rotation': {
      const { privateKey: cle, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
      const nouveau = `tournee-${aleatoire(6)}`;
      cleTournee = { ...(await jose.exportJWK(publicKey)), kid: nouveau, alg: 'RS256', use: 'sig' };
      return signer(payload, cle, nouveau);
    }
    case 'none': {
      const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    }
    default: throw new Error(`mode inconnu: ${mode}`);
  }
}

// ---- HTML pages (user-visible text in French) ----
function page(titre, corps) {
  return `<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>${echapper(titre)}</title></head>
<body>
<main>
${corps}
</main>
</body>
</html>`;
}

function pageConnexion(uid, { erreur, login } = {}) {
  return page("Service d'identité de test", `<h1>Service d'identité de test</h1>
${erreur ? `<p role="alert" id="erreur">${echapper(erreur)}</p>` : ''}
<form method="post" action="/interaction/${echapper(uid)}/login" autocomplete="off">
  <p><label for="login">Identifiant</label>
  <input name="login" id="login" value="${echapper(login)}" required autofocus></p>
  <p><label for="password">Mot de passe</label>
  <input name="password" id="password" type="password" required></p>
  <button type="submit" id="connexion">Se connecter</button>
</form>`);
}

// ---- Provider, created once the port (hence the issuer) is known ----
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port || 0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: (config.clients || []).map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
    ...c,
  })),
  jwks: { keys: [privateJwk] },
  cookies: { keys: [aleatoire(32), aleatoire(32)] },
  // acr/amr/auth_time are listed under `openid` so they reach the ID token even when the
  // client sends no acr_values / claims parameter (the library omits them otherwise).
  claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], ...extraScopes },
  scopes: ['openid', 'offline_access', ...Object.keys(extraScopes)],
  ...(config.acr_values ? { acrValues: config.acr_values } : {}),
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  findAccount(ctx, sub) {
    const compte = comptes.find((c) => c.sub === sub);
    if (!compte) return undefined;
    return { accountId: sub, claims: () => ({ sub, ...(compte.claims || {}) }) };
  },
  // First-party clients: grant whatever was requested, so no consent page ever shows.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    const grant = (grantId && await oidc.provider.Grant.find(grantId))
      || new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    grant.addOIDCClaims([...oidc.requestParamClaims]);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        const bouton = '<button type="submit" id="deconnexion" name="logout" value="yes">Se déconnecter</button>';
        ctx.type = 'html';
        ctx.body = page('Déconnexion', `<h1>Voulez-vous vous déconnecter du service d'identité de test ?</h1>
${form.replace('</form>', `${bouton}</form>`)}`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Déconnexion réussie', '<h1>Vous êtes déconnecté.</h1>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<h1>Une erreur est survenue</h1>
<p id="erreur">${echapper(out.error)} : ${echapper(out.error_description)}</p>`);
  },
  clientBasedCORS: () => false,
  ttl: {
    AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600,
    Session: 86400, Grant: 86400, RefreshToken: 86400,
  },
});

provider.on('server_error', (ctx, err) => log('server_error', err?.stack || err));

// Tampering middleware: rewrites the ID token of the next successful token response.
provider.use(async (ctx, next) => {
  await next();
  if (falsification && ctx.method === 'POST' && ctx.path === '/token'
      && ctx.status === 200 && typeof ctx.body?.id_token === 'string') {
    const mode = falsification;
    falsification = null;
    ctx.body = { ...ctx.body, id_token: await falsifier(ctx.body.id_token, mode) };
    log(`jeton d'identité falsifié (mode ${mode})`);
  }
  if (cleTournee && ctx.method === 'GET' && ctx.path === '/jwks' && ctx.status === 200 && ctx.body?.keys) {
    ctx.body = { ...ctx.body, keys: [...ctx.body.keys, cleTournee] };
  }
});

// ---- Host application routes: interactions and test controls ----
function lireCorps(req) {
  return new Promise((resolve, reject) => {
    const morceaux = [];
    let taille = 0;
    req.on('data', (m) => {
      taille += m.length;
      if (taille > 1e6) { reject(new Error('corps trop grand')); req.destroy(); } else morceaux.push(m);
    });
    req.on('end', () => resolve(Buffer.concat(morceaux).toString('utf8')));
    req.on('error', reject);
  });
}

function envoyer(res, status, type, corps) {
  res.writeHead(status, {
    'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(corps),
  });
  res.end(corps);
}
const json = (res, status, obj) => envoyer(res, status, 'application/json', JSON.stringify(obj));
const html = (res, status, corps) => envoyer(res, status, 'text/html; charset=utf-8', corps);

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return html(res, 400, page('Erreur', '<h1>Interaction inconnue</h1>'));
  const { prompt, params, session } = details;

  if (prompt.name === 'consent') {
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (prompt.name !== 'login') return html(res, 400, page('Erreur', '<h1>Étape inattendue</h1>'));

  if (action !== 'login') return html(res, 200, pageConnexion(uid));
  if (req.method !== 'POST') return html(res, 405, page('Erreur', '<h1>Méthode non permise</h1>'));

  const form = new URLSearchParams(await lireCorps(req));
  const login = form.get('login') || '';
  const compte = comptes.find((c) => c.login === login && c.mot_de_passe === form.get('password'));
  if (!compte) {
    return html(res, 200, pageConnexion(uid, { erreur: 'Identifiant ou mot de passe incorrect', login }));
  }
  const result = { login: { accountId: compte.sub, amr: compte.amr, acr: compte.acr } };
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function controleTest(req, res, chemin) {
  if (chemin === '/_test/sante' && req.method === 'GET') return json(res, 200, { ok: true });
  if (chemin === '/_test/falsifier' && req.method === 'POST') {
    let corps;
    try { corps = JSON.parse((await lireCorps(req)) || '{}'); } catch { return json(res, 400, { ok: false, erreur: 'JSON invalide' }); }
    const mode = corps?.mode ?? null;
    if (mode !== null && !MODES.has(mode)) return json(res, 400, { ok: false, erreur: `mode inconnu: ${mode}` });
    falsification = mode;
    return json(res, 200, { ok: true });
  }
  return json(res, 404, { ok: false, erreur: 'inconnu' });
}

const rappel = provider.callback();
server.on('request', async (req, res) => {
  try {
    const chemin = new URL(req.url, issuer).pathname;
    if (chemin.startsWith('/_test/')) return await controleTest(req, res, chemin);
    const m = chemin.match(/^\/interaction\/([^/]+)(?:\/(login))?\/?$/);
    if (m) return await interaction(req, res, decodeURIComponent(m[1]), m[2]);
    return rappel(req, res);
  } catch (err) {
    const session = err?.name === 'SessionNotFound';
    const requete = session || err instanceof URIError;
    log('erreur', requete ? `${err.name}: ${err.error_description || err.message}` : (err?.stack || err));
    if (res.headersSent) return res.destroy();
    const titre = session ? 'Session introuvable ou expirée' : (requete ? 'Requête invalide' : 'Erreur interne');
    return html(res, requete ? 400 : 500, page('Erreur', `<h1>${titre}</h1>`));
  }
});
server.on('clientError', (err, socket) => socket.destroy());

process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);

// Lifetime: stop when stdin closes (parent gone) or on a signal.
let arret = false;
function arreter(raison) {
  if (arret) return;
  arret = true;
  log(`arrêt (${raison})`);
  server.close();
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 200).unref();
}
process.stdin.on('end', () => arreter('stdin fermé'));
process.stdin.on('close', () => arreter('stdin fermé'));
process.stdin.on('error', () => arreter('stdin en erreur'));
process.stdin.resume();
process.on('SIGTERM', () => arreter('SIGTERM'));
process.on('SIGINT', () => arreter('SIGINT'));
process.on('uncaughtException', (err) => log('exception non interceptée', err?.stack || err));
process.on('unhandledRejection', (err) => log('promesse rejetée', err?.stack || err));
