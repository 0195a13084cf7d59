// Progressive enhancement only: every page works without JavaScript. Module scripts run
// only in browsers GOV.UK Frontend supports, so this is where we opt in to its components.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
