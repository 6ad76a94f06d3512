/**
 * The CLI's human-readable strings in English and Simplified Chinese. The language follows
 * LC_ALL / LC_MESSAGES / LANG like other Unix tools. JSON output is never translated.
 */

const en = {
  usage: `semantic-workspace — semantic + keyword search over a folder's code and notes

Usage:
  semantic-workspace index  <dir> [--provider offline|dashscope|openai] [--index-dir D] [--dry-run [--rerank]] [--rebuild] [--json]
  semantic-workspace search <dir> (<query> | --queries-file F.jsonl) [--top-k N] [--mode hybrid|dense|keyword]
                            [--kind code|doc] [--path GLOB] [--language L] [--provider P] [--index-dir D] [--json]
                            [--rerank [--rerank-model M]]  (cloud providers: rerank the first 50 hits)
  semantic-workspace cluster  <dir> [--k N|auto] [--notes GLOB] [--json]
  semantic-workspace classify <dir> (<text> | --text-file F) (--labels "a,b,c" | --labels-file F) [--json]
  semantic-workspace related  <dir> <file> [--json]
  semantic-workspace outliers <dir> [--json]
  semantic-workspace duplicates <dir> [--threshold T] [--json]
  semantic-workspace status <dir> | clear <dir>
  semantic-workspace mcp [<dir>…] [--provider P] [--index-dir D]   MCP server over stdio for coding agents
  semantic-workspace team status [<dir>] | team prune [--older-than DAYS]   (--team-index URL, --repo-id ID)

Team index (PostgreSQL + pgvector): --team-index postgres://… (or SEMANTIC_WORKSPACE_TEAM_INDEX) on index
  takes the team's vectors first and publishes a complete run (naming it is consent to publish there;
  --store-text also stores chunk texts); search --remote searches the team's snapshot in PostgreSQL.
  The repository is named by its origin remote, or --repo-id. Not for the offline provider.

Providers: offline (default; no key, nothing leaves the machine), dashscope (DASHSCOPE_API_KEY;
  --region singapore|beijing|us|hongkong, --model, --dimensions, --transport native|compatible;
  DASHSCOPE_BASE_URL overrides the endpoint), openai (OPENAI_BASE_URL, OPENAI_API_KEY, --model).
Naming a cloud provider is your consent to upload the folder's text (secrets are scrubbed first).
Exit codes: 0 ok, 1 failure, 2 bad usage / no index / provider mismatch.`,
  noIndex: (dir: string, provider: string) =>
    `No ${provider} index for ${dir}. Run: semantic-workspace index ${JSON.stringify(dir)}${provider === 'offline' ? '' : ` --provider ${provider}`}`,
  notADir: (dir: string) => `Not a folder: ${dir}`,
  indexed: (files: number, chunks: number, seconds: string, size: string) =>
    `Indexed ${files} files into ${chunks} chunks in ${seconds}s (index ${size} on disk).`,
  reused: (embedded: number, reused: number) => `${embedded} chunks embedded, ${reused} reused from the cache.`,
  skipped: (n: number, detail: string) => `${n} files skipped: ${detail}`,
  dryRun: (files: number, chunks: number, tokens: number, cost: string) =>
    `Dry run: ${files} files, ${chunks} chunks, ~${tokens} tokens, estimated cost ${cost}. Nothing was sent.`,
  rerankEstimate: (model: string, tokens: number, cost: string) => `With --rerank (${model}): ~${tokens} tokens per search, ${cost} per 1,000 searches.`,
  incomplete: 'The run stopped early; what was embedded is kept — run the same command again to resume.',
  noResults: 'No results.',
  interrupted: 'Interrupted; progress is saved — run the same command again to resume.',
  mode: (label: string) => `Provider: ${label}`,
  partialIndex: (indexed: number, total: number, reason: string) =>
    `Note: the index is incomplete (${indexed} of ${total} files; ${reason}): results may miss the rest. Run \`semantic-workspace index\` again to resume.`,
  needKey: (provider: string): string =>
    provider === 'dashscope'
      ? 'No DashScope API key: set DASHSCOPE_API_KEY (or put DASHSCOPE_API_KEY=… in a .env file in the current directory).'
      : 'No API key for the OpenAI-compatible endpoint: set OPENAI_API_KEY (local servers may accept any value).',
  needModel: 'The openai provider needs --model (the model name your server serves).',
  topics: 'Topics',
  outliers: 'Outliers',
  cleared: (dir: string) => `Removed the index at ${dir}.`,
  waitingForLock: (pid: number) => `Another indexer (pid ${pid}) is writing this index; waiting for it to finish, then continuing from what it committed…`,
  degraded: (reason: string) => `Keyword results only (the embedding endpoint did not answer in time): ${reason}`,
};

const zh: typeof en = {
  usage: `semantic-workspace —— 对文件夹中的代码和笔记进行语义 + 关键词搜索

用法：
  semantic-workspace index  <目录> [--provider offline|dashscope|openai] [--index-dir D] [--dry-run [--rerank]] [--rebuild] [--json]
  semantic-workspace search <目录> (<查询> | --queries-file F.jsonl) [--top-k N] [--mode hybrid|dense|keyword]
                            [--kind code|doc] [--path GLOB] [--language L] [--provider P] [--index-dir D] [--json]
                            [--rerank [--rerank-model M]]（云端提供方：对前 50 个结果重排序）
  semantic-workspace cluster  <目录> [--k N|auto] [--notes GLOB] [--json]
  semantic-workspace classify <目录> (<文本> | --text-file F) (--labels "a,b,c" | --labels-file F) [--json]
  semantic-workspace related  <目录> <文件> [--json]
  semantic-workspace outliers <目录> [--json]
  semantic-workspace duplicates <目录> [--threshold T] [--json]
  semantic-workspace status <目录> | clear <目录>
  semantic-workspace mcp [<目录>…] [--provider P] [--index-dir D]   供编程智能体使用的 MCP 服务器（stdio）
  semantic-workspace team status [<目录>] | team prune [--older-than 天数]   (--team-index URL, --repo-id ID)

团队索引（PostgreSQL + pgvector）：index 加 --team-index postgres://…（或 SEMANTIC_WORKSPACE_TEAM_INDEX）时先取用团队已有的向量，
  完整运行后发布（指定即同意发布到该库；--store-text 同时保存分块文本）；search --remote 在 PostgreSQL 中检索团队快照。
  仓库以 origin 远程地址或 --repo-id 命名。离线提供方不可共享。

提供方：offline（默认；无需密钥，数据不离开本机）、dashscope（DASHSCOPE_API_KEY；
  --region singapore|beijing|us|hongkong、--model、--dimensions、--transport native|compatible；
  DASHSCOPE_BASE_URL 可覆盖端点）、openai（OPENAI_BASE_URL、OPENAI_API_KEY、--model）。
指定云端提供方即表示同意上传该文件夹的文本（上传前会先清除密钥类内容）。
退出码：0 成功，1 失败，2 用法错误 / 没有索引 / 提供方不匹配。`,
  noIndex: (dir, provider) =>
    `${dir} 没有 ${provider} 索引。请运行：semantic-workspace index ${JSON.stringify(dir)}${provider === 'offline' ? '' : ` --provider ${provider}`}`,
  notADir: (dir) => `不是文件夹：${dir}`,
  indexed: (files, chunks, seconds, size) => `已索引 ${files} 个文件，共 ${chunks} 个片段，用时 ${seconds} 秒（索引占用磁盘 ${size}）。`,
  reused: (embedded, reused) => `本次嵌入 ${embedded} 个片段，从缓存复用 ${reused} 个。`,
  skipped: (n, detail) => `跳过 ${n} 个文件：${detail}`,
  dryRun: (files, chunks, tokens, cost) => `试运行：${files} 个文件，${chunks} 个片段，约 ${tokens} 个 token，预计费用 ${cost}。未发送任何内容。`,
  rerankEstimate: (model, tokens, cost) => `使用 --rerank（${model}）：每次搜索约 ${tokens} 个 token，每 1,000 次搜索 ${cost}。`,
  incomplete: '运行提前结束；已嵌入的内容均已保存——再次运行同一命令即可继续。',
  noResults: '没有结果。',
  interrupted: '已中断；进度已保存——再次运行同一命令即可继续。',
  mode: (label) => `提供方：${label}`,
  partialIndex: (indexed, total, reason) => `注意：索引不完整（${indexed}/${total} 个文件；${reason}），结果可能遗漏其余内容。再次运行 \`semantic-workspace index\` 即可继续。`,
  needKey: (provider) =>
    provider === 'dashscope'
      ? '缺少 DashScope API 密钥：请设置 DASHSCOPE_API_KEY（或在当前目录的 .env 文件中写入 DASHSCOPE_API_KEY=…）。'
      : '缺少 OpenAI 兼容端点的 API 密钥：请设置 OPENAI_API_KEY（本地服务可接受任意值）。',
  needModel: 'openai 提供方需要 --model（服务端提供的模型名称）。',
  topics: '主题',
  outliers: '离群项',
  cleared: (dir) => `已删除索引：${dir}`,
  waitingForLock: (pid) => `另一个索引进程（pid ${pid}）正在写入此索引；等待其结束后，将在其已提交的内容上继续…`,
  degraded: (reason) => `仅关键词结果（嵌入端点未及时响应）：${reason}`,
};

export type Messages = typeof en;

export function cliLanguage(env: NodeJS.ProcessEnv = process.env): 'en' | 'zh-cn' {
  const lang = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(lang) ? 'zh-cn' : 'en';
}

export function messages(env: NodeJS.ProcessEnv = process.env): Messages {
  return cliLanguage(env) === 'zh-cn' ? zh : en;
}

export const messageTables = { en, zh } as const;
