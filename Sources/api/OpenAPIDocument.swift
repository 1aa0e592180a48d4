/// The OpenAPI 3 description served at `/openapi.json`; the tests check it against the routes.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.0.3",
      "info": {"title": "txstats", "version": "1.0.0",
               "description": "Exact payment statistics: recent days from Redis, older days from MongoDB. Amounts are JSON numbers printed exactly from integer minor units."},
      "paths": {
        "/stats": {
          "get": {
            "summary": "Amounts of successful transactions per day, type and payment method",
            "parameters": [
              {"name": "from_date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}, "description": "First day, YYYY-MM-DD, inclusive"},
              {"name": "to_date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}, "description": "Last day, YYYY-MM-DD, inclusive"}
            ],
            "responses": {
              "200": {"description": "Days with data; days without are left out",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stats"},
                                  "example": {"data": {"2026-01-01": {"deposits": {"paypal": 52763.85, "visa": 48992.1}, "withdrawals": {"crypto": 75816.03}}}}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "503": {"$ref": "#/components/responses/Unavailable"}
            }
          }
        },
        "/healthz": {
          "get": {"summary": "The process is alive",
                  "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}}
        },
        "/readyz": {
          "get": {"summary": "Redis and MongoDB both answer",
                  "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                                "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/openapi.json": {
          "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {}}}}}
        }
      },
      "components": {
        "schemas": {
          "Amounts": {"type": "object", "additionalProperties": {"type": "number"}, "description": "payment method -> amount"},
          "Day": {"type": "object", "properties": {"deposits": {"$ref": "#/components/schemas/Amounts"}, "withdrawals": {"$ref": "#/components/schemas/Amounts"}}},
          "Stats": {"type": "object", "required": ["data"], "properties": {"data": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Day"}}}},
          "Status": {"type": "object", "properties": {"status": {"type": "string"}}},
          "Error": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
        },
        "responses": {
          "BadRequest": {"description": "A parameter is missing or invalid", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unavailable": {"description": "Redis or MongoDB cannot be reached", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    }
    """#
}
