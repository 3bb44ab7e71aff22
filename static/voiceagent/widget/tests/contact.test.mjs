// Run with: node --test static/voiceagent/widget/tests/
import assert from "node:assert/strict";
import { test } from "node:test";

import { contactView, emptyContact, withContactSaved, withUserInfo } from "../contact.js";

test("details fill one card as they arrive, then it is marked saved", () => {
  let contact = emptyContact();
  contact = withUserInfo(contact, { name: "Ada Lovelace", email: null, phone: null });
  assert.deepEqual(contactView(contact).rows, [["Name", "Ada Lovelace"]]);
  assert.equal(contactView(contact).saved, false);
  contact = withUserInfo(contact, { name: "Ada Lovelace", email: "ada@example.com", phone: null });
  contact = withUserInfo(contact, { name: "Ada Lovelace", email: "ada@example.com", phone: "+442071838750" });
  assert.deepEqual(contactView(contact).rows.map(([label]) => label), ["Name", "Email", "Phone"]);

  contact = withContactSaved(contact, { id: 1, name: "Ada Lovelace", email: "ada@example.com", phone: "+442071838750" });
  const view = contactView(contact);
  assert.equal(view.saved, true);
  assert.equal(view.status, "Saved");
  assert.equal(view.heading, "Your details"); // one card: the same heading, now saved
  assert.deepEqual(view.rows, [["Name", "Ada Lovelace"], ["Email", "ada@example.com"], ["Phone", "+442071838750"]]);
});

test("a later user_info with the same details keeps it saved; a changed one does not", () => {
  let contact = withContactSaved(emptyContact(), { name: "Ada", email: "ada@example.com", phone: "" });
  contact = withUserInfo(contact, { name: "Ada", email: "ada@example.com", phone: null });
  assert.equal(contactView(contact).saved, true);
  contact = withUserInfo(contact, { email: "ada@example.org" });
  assert.equal(contactView(contact).saved, false);
  assert.deepEqual(contactView(contact).rows, [["Name", "Ada"], ["Email", "ada@example.org"]]);
});

test("the saved contact's values win, and missing ones keep what was shown", () => {
  let contact = withUserInfo(emptyContact(), { name: "ada lovelace", phone: "020 7183 8750" });
  contact = withContactSaved(contact, { name: "Ada Lovelace", email: "ada@example.com", phone: null });
  assert.deepEqual(contactView(contact).rows, [
    ["Name", "Ada Lovelace"], ["Email", "ada@example.com"], ["Phone", "020 7183 8750"],
  ]);
});

test("nothing captured yet shows no rows; the message is not changed", () => {
  const info = { name: "  ", email: null };
  const contact = withUserInfo(emptyContact(), info);
  assert.deepEqual(contactView(contact).rows, []);
  assert.deepEqual(info, { name: "  ", email: null });
});
