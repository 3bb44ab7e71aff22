// The caller's details as the widget shows them: one card, filled in as the agent
// captures them (`user_info`), then marked saved (`contact_saved`). Pure functions, so
// that node can test them without a DOM.

export const CONTACT_FIELDS = [["name", "Name"], ["email", "Email"], ["phone", "Phone"]];

export function emptyContact() {
  return { name: "", email: "", phone: "", saved: false };
}

/** The details after a `user_info` message: what it carries replaces what was shown.
 * Details that change after a save are no longer what was saved, until saved again. */
export function withUserInfo(contact, info) {
  const next = { ...contact };
  for (const [key] of CONTACT_FIELDS) {
    const value = info && typeof info[key] === "string" ? info[key].trim() : "";
    if (value && value !== contact[key]) {
      next[key] = value;
      next.saved = false;
    }
  }
  return next;
}

/** The details after a `contact_saved` message: the stored values, marked saved. */
export function withContactSaved(contact, saved) {
  const next = { ...contact, saved: true };
  for (const [key] of CONTACT_FIELDS) {
    const value = saved && typeof saved[key] === "string" ? saved[key].trim() : "";
    if (value) next[key] = value;
  }
  return next;
}

/** What the card shows: its rows (empty fields left out) and whether it is saved. */
export function contactView(contact) {
  return {
    heading: "Your details",
    rows: CONTACT_FIELDS.map(([key, label]) => [label, contact[key]]).filter(([, value]) => value),
    saved: contact.saved,
    status: contact.saved ? "Saved" : "Not saved yet",
  };
}
