"""The editable data files (sources, taxonomy, lexicons, places, the sample archive), shipped as
package data and found through `kommunalmonitor.core.resources`. No code lives here."""
