import { useEffect, useState } from "preact/hooks";
import { readApiKey, saveApiKey } from "./api/auth-key.js";
import { setUnauthorizedHandler } from "./api/client.js";
import { JobPage } from "./pages/job-page.js";
import { JobsPage } from "./pages/jobs-page.js";
import { RoutesPage } from "./pages/routes-page.js";
import { WebhooksPage } from "./pages/webhooks-page.js";
import { useLocation } from "./router.js";
import { applyTheme, nextTheme, readTheme, type ThemeChoice } from "./theme.js";

export function App() {
  const loc = useLocation();
  const [needKey, setNeedKey] = useState(false);
  const [signedIn, setSignedIn] = useState(() => readApiKey() !== null);
  // Bumped on sign-in so the page refetches with the key.
  const [session, setSession] = useState(0);

  useEffect(() => setUnauthorizedHandler(() => setNeedKey(true)), []);

  const page =
    loc.page === "jobs" ? (
      <JobsPage query={loc.query} />
    ) : loc.page === "job" ? (
      <JobPage id={loc.id!} key={loc.id!} />
    ) : loc.page === "routes" ? (
      <RoutesPage />
    ) : loc.page === "webhooks" ? (
      <WebhooksPage query={loc.query} />
    ) : (
      <section>
        <h1>Not found</h1>
        <p>
          No page here. <a href="#/jobs">Go to the jobs</a>.
        </p>
      </section>
    );

  return (
    <>
      <button type="button" class="skip-link" onClick={skipToMain}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/jobs">
          Docket
        </a>
        <nav aria-label="Main">
          <NavLink href="#/jobs" current={loc.page === "jobs" || loc.page === "job"}>
            Jobs
          </NavLink>
          <NavLink href="#/routes" current={loc.page === "routes"}>
            Routes
          </NavLink>
          <NavLink href="#/webhooks" current={loc.page === "webhooks"}>
            Webhooks
          </NavLink>
        </nav>
        <div class="top-tools">
          <ThemeToggle />
          {signedIn ? (
            <button
              type="button"
              onClick={() => {
                saveApiKey(null);
                setSignedIn(false);
                setSession((n) => n + 1);
              }}
            >
              Sign out
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {needKey ? (
          <SignIn
            onKey={(key) => {
              saveApiKey(key);
              setSignedIn(true);
              setNeedKey(false);
              setSession((n) => n + 1);
            }}
          />
        ) : (
          <div key={session}>{page}</div>
        )}
      </main>
    </>
  );
}

/** A button, not a `#main` link: the hash is the route here, so the skip only moves focus. */
function skipToMain() {
  document.getElementById("main")?.focus();
}

function NavLink({ href, current, children }: { href: string; current: boolean; children: string }) {
  return (
    <a href={href} aria-current={current ? "page" : undefined}>
      {children}
    </a>
  );
}

function ThemeToggle() {
  const [theme, setTheme] = useState<ThemeChoice>(readTheme);
  const change = () => {
    const next = nextTheme(theme);
    // At once, in the click: an effect would leave a frame in the old theme.
    applyTheme(next);
    setTheme(next);
  };
  return (
    <button type="button" onClick={change} aria-label={`Theme: ${theme}. Change theme`}>
      {theme === "system" ? "◐ System" : theme === "dark" ? "☾ Dark" : "☀ Light"}
    </button>
  );
}

function SignIn({ onKey }: { onKey: (key: string) => void }) {
  const [key, setKey] = useState("");
  return (
    <section aria-labelledby="signin-title" class="signin">
      <h1 id="signin-title">Sign in</h1>
      <p>
        This Docket needs an API key. It is kept in this tab only (session storage) and sent with each
        request.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        <label>
          API key
          <input
            type="password"
            autoComplete="current-password"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            required
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
