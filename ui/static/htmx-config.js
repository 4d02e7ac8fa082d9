// htmx's settings, as a file: the pages' Content-Security-Policy allows no inline script.
// A 422 or 409 carries its problems back as a piece of the page (swapped, not an error); a 204 swaps nothing;
// htmx adds no inline <style> of its own and evaluates no attribute as script.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "422", swap: true, error: false },
  { code: "409", swap: true, error: false }, // the evaluation gate refused: shown, with why
  { code: "...", swap: false, error: true },
];
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
htmx.config.timeout = 15000; // an answer takes tens of milliseconds; 15 s means it is not coming
