// htmx's settings, as a file: the pages' Content-Security-Policy allows no inline script.
// A 422 carries the form back with its problems (swapped, not an error); a 204 swaps nothing;
// htmx adds no inline <style> of its own and evaluates no attribute as script.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "422", swap: true, error: false },
  { code: "...", swap: false, error: true },
];
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
