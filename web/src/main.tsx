import { render } from "preact";
import { App } from "./app.js";
import { applyTheme, readTheme } from "./theme.js";
import "./styles.css";

// Before the first render, so a dark-theme user never sees a light flash.
applyTheme(readTheme());
render(<App />, document.getElementById("app")!);
