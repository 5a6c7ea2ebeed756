using System.Text.Json.Nodes;

namespace Pipelock.E2E.Tests.Kit;

/// <summary>
/// A handful of Sure's assistant functions, shaped as Sure's tools/list shows them (sure-integration.md §2): object
/// schemas with <c>additionalProperties: false</c>, no annotations, no outputSchema. Descriptions are paraphrased.
/// </summary>
public sealed record SureTool(string Name, string Description, string InputSchemaJson)
{
    public JsonObject ToJson(string description) => new()
    {
        ["name"] = Name,
        ["description"] = description,
        ["inputSchema"] = JsonNode.Parse(InputSchemaJson),
    };
}

public static class SureTools
{
    public static readonly IReadOnlyList<SureTool> Default =
    [
        new("get_transactions",
            "Use this to search user's transactions by merchant, category, amount, date range, account, type or tag. " +
            "Results are paginated; amounts are absolute values with an income/expense classification.",
            """
            {"type":"object","properties":{
              "page":{"type":"integer","minimum":1,"description":"Page number"},
              "page_size":{"type":"integer","minimum":1,"maximum":100,"default":50},
              "order":{"type":"string","enum":["asc","desc"]},
              "sort_by":{"type":"string","enum":["date","amount"]},
              "search":{"type":"string","description":"Free text matched against name, notes and merchant"},
              "amount":{"type":"string"},
              "amount_operator":{"type":"string","enum":["equal","less","greater"]},
              "start_date":{"type":"string","description":"YYYY-MM-DD"},
              "end_date":{"type":"string","description":"YYYY-MM-DD"},
              "types":{"type":"array","items":{"type":"string","enum":["income","expense","transfer"]},"minItems":1,"uniqueItems":true},
              "statuses":{"type":"array","items":{"type":"string","enum":["pending","confirmed"]},"minItems":1,"uniqueItems":true},
              "accounts":{"type":"array","items":{"type":"string"},"minItems":1,"uniqueItems":true},
              "categories":{"type":"array","items":{"type":"string"},"minItems":1,"uniqueItems":true},
              "merchants":{"type":"array","items":{"type":"string"},"minItems":1,"uniqueItems":true},
              "tags":{"type":"array","items":{"type":"string"},"minItems":1,"uniqueItems":true}},
             "required":[],"additionalProperties":false}
            """),
        new("get_accounts",
            "Use this to see what accounts the user has along with their current and historical balances.",
            """
            {"type":"object","properties":{
              "include_balance_series":{"type":"boolean"},
              "series_period":{"type":"string","enum":["last_day","current_week","last_7_days","current_month","last_month","last_30_days","last_90_days","current_year","last_365_days","last_5_years","last_10_years","all_time"]}},
             "required":[],"additionalProperties":false}
            """),
        new("get_tags",
            "Use this to list the user's transaction tags.",
            """
            {"type":"object","properties":{
              "page":{"type":"integer","minimum":1},
              "page_size":{"type":"integer","minimum":1,"maximum":100,"default":50}},
             "required":[],"additionalProperties":false}
            """),
        new("create_goal",
            "Use this to create a savings goal for the user, linked to one or more of their accounts.",
            """
            {"type":"object","properties":{
              "name":{"type":"string"},
              "target_amount":{"type":"number","minimum":0},
              "target_date":{"type":"string","description":"YYYY-MM-DD"},
              "linked_account_names":{"type":"array","items":{"type":"string"}},
              "notes":{"type":"string"}},
             "required":["name","target_amount","linked_account_names"],"additionalProperties":false}
            """),
        new("update_transaction",
            "Use this to rename a transaction, change its notes, category, merchant or tags.",
            """
            {"type":"object","properties":{
              "id":{"type":"string"},
              "name":{"type":"string"},
              "notes":{"type":["string","null"]},
              "category_id":{"type":["string","null"]},
              "merchant_id":{"type":["string","null"]},
              "tag_ids":{"type":"array","items":{"type":"string"}}},
             "required":["id"],"additionalProperties":false}
            """),
        new("search_family_files",
            "Use this to search the documents the family uploaded (statements, receipts) for a phrase.",
            """
            {"type":"object","properties":{
              "query":{"type":"string"},
              "max_results":{"type":"integer","minimum":1,"maximum":20,"default":10}},
             "required":["query"],"additionalProperties":false}
            """),
    ];

    /// <summary>A Sure preview tool, offered only when <see cref="SureMcpEmulator.ExtraTool"/> is on.</summary>
    public static readonly SureTool Extra = new(SureMcpEmulator.ExtraToolName,
        "Use this to upload a bank statement file (base64) to an account for review.",
        """
        {"type":"object","properties":{
          "filename":{"type":"string"},
          "content_base64":{"type":"string"},
          "account_id":{"type":"string"}},
         "required":["filename","content_base64"],"additionalProperties":false}
        """);

    /// <summary>The tool result object as Sure would <c>.to_json</c> it: BigDecimal amounts as strings, UUID ids, ISO dates.</summary>
    public static string DefaultResult(string tool) => tool switch
    {
        "get_accounts" => """{"as_of_date":"2026-08-22","accounts":[{"id":"0b6d3f0e-6a3c-4b7e-9a51-2f4c8d1e7a10","name":"Checking","balance":"1234.56","currency":"USD","balance_formatted":"$1,234.56","classification":"asset","type":"Depository","start_date":"2024-01-01","is_linked":false,"provider":null,"status":"active"},{"id":"5e2a9c41-1f7b-4d23-8c6e-93b0a4f5d2c8","name":"Visa","balance":"310.20","currency":"USD","balance_formatted":"$310.20","classification":"liability","type":"CreditCard","start_date":"2024-03-01","is_linked":false,"provider":null,"status":"active"}]}""",
        "get_transactions" => """{"transactions":[{"id":"9a1f2b3c-4d5e-4f60-8a7b-1c2d3e4f5a6b","name":"Grocery Mart","date":"2026-08-20","amount":"45.99","currency":"USD","formatted_amount":"$45.99","classification":"expense","account":"Checking","notes":null,"category":"Groceries","merchant":"Grocery Mart","tags":[],"is_transfer":false}],"total_results":1,"page":1,"page_size":50,"total_pages":1,"total_income":"$0.00","total_expenses":"$45.99"}""",
        "get_tags" => """{"tags":[{"id":"c3d4e5f6-a7b8-4c9d-8e0f-112233445566","name":"vacation","color":"#e99537"}],"total_results":1,"page":1,"page_size":50,"total_pages":1}""",
        "create_goal" => """{"success":true,"goal":{"id":"d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6","name":"Emergency fund","target_amount":"5000.0","target_date":null},"message":"Goal created"}""",
        "update_transaction" => """{"success":true,"transaction":{"id":"9a1f2b3c-4d5e-4f60-8a7b-1c2d3e4f5a6b","name":"Grocery Mart"},"message":"Transaction updated"}""",
        "search_family_files" => """{"results":[],"total_results":0}""",
        SureMcpEmulator.ExtraToolName => """{"success":true,"message":"Statement uploaded for review"}""",
        _ => "{}",
    };
}
