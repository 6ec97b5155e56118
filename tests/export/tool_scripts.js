// Runs a Postman test script or a JetBrains HTTP Client response handler against one answer,
// with the small part of each tool's API the kit's exports use. Input (stdin, JSON):
// {dialect: "postman" | "jetbrains" | "bruno", script, status, headers: {name: value}, body}.
// Output (stdout, JSON): {set: {variable: value}, failures: [message]}.
const input = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const set = {};
const failures = [];
const header = (name) => {
  const key = Object.keys(input.headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : input.headers[key];
};
const test = (name, fn) => {
  try {
    fn();
  } catch (error) {
    failures.push(`${name}: ${error.message}`);
  }
};
const chaiLike = (actual) => ({
  to: {
    equal: (expected) => {
      if (actual !== expected) throw new Error(`expected ${expected}, got ${actual}`);
    },
  },
});
let api;
if (input.dialect === "bruno") {
  const res = {
    getStatus: () => input.status,
    getHeader: header,
    getBody: () => JSON.parse(input.body),
  };
  const bru = { setEnvVar: (key, value) => { set[key] = value; } };
  api = { res, bru, test, expect: chaiLike };
} else if (input.dialect === "postman") {
  const pm = {
    response: { code: input.status, headers: { get: header }, json: () => JSON.parse(input.body) },
    environment: { set: (key, value) => { set[key] = value; } },
    test,
    expect: (actual) => ({
      to: {
        eql: (expected) => {
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
          }
        },
      },
    }),
  };
  api = { pm };
} else {
  let body = input.body;
  try {
    body = JSON.parse(input.body);
  } catch (error) {}
  const response = { status: input.status, headers: { valueOf: header }, body };
  const client = {
    global: { set: (key, value) => { set[key] = value; } },
    test,
    assert: (condition, message) => {
      if (!condition) throw new Error(message || "assertion failed");
    },
  };
  api = { response, client };
}
new Function(...Object.keys(api), input.script)(...Object.values(api));
process.stdout.write(JSON.stringify({ set, failures }));
