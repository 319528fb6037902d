// Starts the GOV.UK Frontend components on every page.
import { initAll } from "./govuk-frontend.min.js";

initAll();
