/**
 * The shell: a hash router (so Django serves one page for every URL), the top bar
 * with navigation and the theme switch, and a sign-in hint when the API says 401/403.
 */
import { useEffect, useState } from "react";
import { BrokerView } from "./broker/BrokerView";
import { Designer } from "./designer/Designer";
import { RunDetail } from "./monitor/RunDetail";
import { RunsList } from "./monitor/RunsList";
import { WorkflowList } from "./workflows/WorkflowList";
import { type Route, parseRoute } from "./route";

type Theme = "light" | "dark";

function initialTheme(): Theme {
  const stored = localStorage.getItem("sluice.theme");
  if (stored === "light" || stored === "dark") return stored;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem("sluice.theme", theme);
  }, [theme]);
  return (
    <div className="app">
      <header className="topbar">
        <a href="#/" className="brand">Sluice</a>
        <nav aria-label="Main">
          <a href="#/">Workflows</a>
          <a href="#/runs">Runs</a>
          <a href="#/broker">Broker</a>
          <a href="/api/docs/">API</a>
        </nav>
        <button type="button" className="theme" aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`} onClick={() => setTheme(theme === "dark" ? "light" : "dark")}>
          {theme === "dark" ? "☀" : "☾"}
        </button>
        <a href={`/admin/login/?next=${encodeURIComponent(window.location.pathname + window.location.hash)}`} className="muted">Sign in</a>
      </header>
      <View route={route} />
    </div>
  );
}

function View({ route }: { route: Route }) {
  switch (route.page) {
    case "designer":
      return <Designer key={route.name} name={route.name} />;
    case "runs":
      return <RunsList key={route.workflow ?? ""} workflow={route.workflow} />;
    case "run":
      return <RunDetail key={route.id} id={route.id} />;
    case "broker":
      return <BrokerView />;
    default:
      return <WorkflowList />;
  }
}
