"""Take requests out of the kit: runnable snippets and collections for other tools.

`sendmessage-kit snippet` prints a complete curl, Python or JavaScript program (see
`sendmessage_kit.snippets`); `sendmessage-kit export` writes the sign-in, send, poll, sign-out
flow as a Postman collection, a Bruno collection, an `.http` file or an OpenAPI document.
"""
