#!/usr/bin/env python3
"""Search quality of real generated servers, scored by ../shared/search-bench/score.mjs.

For each query set: generate the spec's crate with mcpwright, build its server (release, in the
workspace's target folder, so dependencies compile once), start it over stdio in search mode and
let the scorer (the official TypeScript SDK client) call `search_operations {query, limit: 10}`
for every row. Prints a Markdown table and writes every scorer line to
target/bench/search/results.jsonl.

usage: python3 benches/search/run.py [--sets NAME,...] [--debug]
Needs: cargo build --release (mcpwright), (cd tests/e2e && npm ci) for the SDK, ../shared.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SHARED = os.path.abspath(os.path.join(ROOT, '..', 'shared'))
BENCH = os.path.join(SHARED, 'search-bench')
SPECS = os.path.join(SHARED, 'specs')
OWN = os.path.join(ROOT, 'benches', 'search', 'queries')

# name → (spec, query set)
SETS = {
    'github-mcp-server-tools': (os.path.join(SPECS, 'github.com__api.github.com.json'),
                                os.path.join(BENCH, 'github-mcp-server-tools.tsv')),
    'restbench-spotify': (os.path.join(BENCH, 'specs', 'restgpt-spotify_oas.json'),
                          os.path.join(BENCH, 'restbench-spotify.tsv')),
    'restbench-tmdb': (os.path.join(BENCH, 'specs', 'restgpt-tmdb_oas.json'),
                       os.path.join(BENCH, 'restbench-tmdb.tsv')),
}
for own in sorted(os.listdir(OWN)) if os.path.isdir(OWN) else []:
    if own.endswith('.tsv'):
        stem = own[:-4]
        spec = next((os.path.join(SPECS, f) for f in sorted(os.listdir(SPECS))
                     if os.path.splitext(f)[0] == stem), None)
        if spec:
            SETS['own: ' + stem] = (spec, os.path.join(OWN, own))


def run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        sys.exit(f'{" ".join(cmd)} failed:\n{result.stdout}\n{result.stderr}')
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--sets', help='comma-separated set names (default: all)')
    parser.add_argument('--debug', action='store_true', help='build the servers in debug')
    args = parser.parse_args()
    names = args.sets.split(',') if args.sets else list(SETS)
    profile = 'debug' if args.debug else 'release'
    mcpwright = os.path.join(ROOT, 'target', 'release', 'mcpwright')
    target = os.path.join(ROOT, 'target')
    out_dir = os.path.join(target, 'bench', 'search')
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    with open(os.path.join(out_dir, 'results.jsonl'), 'w') as results:
        for name in names:
            spec, queries = SETS[name]
            slug = os.path.basename(queries)[:-4].replace('.', '-').replace('_', '-').lower()[:40]
            crate = os.path.join(out_dir, f'{slug}-mcp')
            run([mcpwright, 'generate', spec, '-o', crate, '--name', f'{slug}-mcp', '--quiet'])
            build = ['cargo', 'build', '--quiet'] + ([] if args.debug else ['--release'])
            lock = os.path.join(crate, 'Cargo.lock')
            if not os.path.exists(lock):
                with open(os.path.join(ROOT, 'Cargo.lock')) as src, open(lock, 'w') as dst:
                    dst.write(src.read())
            run(build, cwd=crate, env={**os.environ, 'CARGO_TARGET_DIR': target})
            binary = os.path.join(target, profile, f'{slug}-mcp')
            line = run(['node', os.path.join(BENCH, 'score.mjs'), '--stdio',
                        f'{binary} serve --transport stdio --tool-mode search',
                        '--queries', queries], cwd=os.path.join(ROOT, 'tests', 'e2e'),
                       # Searching needs no upstream, but a server must know one to start (some
                       # specs name no server); nothing is called.
                       env={**os.environ, 'MCP_UPSTREAM_URL': 'http://127.0.0.1:9'})
            figures = json.loads(line.strip().splitlines()[-1])
            figures['set'] = name
            results.write(json.dumps(figures) + '\n')
            rows.append(figures)
            print(f'{name}: {json.dumps(figures)}', file=sys.stderr)
    print('| set | queries | recall@1 | recall@5 | recall@10 | MRR@10 | tools/list bytes '
          '| mean result bytes (limit 10) | p50 ms | p99 ms |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for f in rows:
        print(f"| {f['set']} | {f['queries']} | {f['recall_at_1']:.3f} | {f['recall_at_5']:.3f} "
              f"| {f['recall_at_10']:.3f} | {f['mrr_at_10']:.3f} | {f['tools_bytes']:,} "
              f"| {f['mean_result_bytes']:,} | {f['latency_ms_p50']} | {f['latency_ms_p99']} |")


if __name__ == '__main__':
    main()
