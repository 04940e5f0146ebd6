// A tiny static file server for the built site (build/), for the browser test. It resolves URLs
// the way a static host serving Docusaurus output with trailingSlash: false does: /docs/x is
// build/docs/x.html, a folder URL is its index.html, unknown paths get the locale's 404.html with
// status 404. Listens on 127.0.0.1 on a free port chosen by the OS.
import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The file that answers `pathname`, or null. Never leaves `root`. */
export async function resolveFile(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const absolute = path.resolve(root, "." + path.posix.normalize("/" + decoded));
  if (absolute !== root && !absolute.startsWith(root + path.sep)) return null;
  const candidates = decoded.endsWith("/")
    ? [path.join(absolute, "index.html")]
    : [absolute, absolute + ".html", path.join(absolute, "index.html")];
  for (const candidate of candidates) {
    if (await isFile(candidate)) return candidate;
  }
  return null;
}

export async function serveStatic(root: string, locales: readonly string[] = []): Promise<StaticServer> {
  const rootDir = path.resolve(root);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      let file = await resolveFile(rootDir, url.pathname);
      let status = 200;
      if (file === null) {
        status = 404;
        const locale = locales.find((l) => url.pathname.startsWith(`/${l}/`));
        file = path.join(rootDir, locale ?? "", "404.html");
      }
      const body = await readFile(file);
      response.writeHead(status, {
        "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      response.end(request.method === "HEAD" ? undefined : body);
    })().catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
