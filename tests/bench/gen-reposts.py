#!/usr/bin/env python3
"""A repost-heavy corpus of real text: N lines, each a post of
../shared/eval/reposts.jsonl (real Weibo posts, 575 stories reposted by
several users) reposted again with fresh edits, as users do: a comment
before or after (a clause of another post), a hashtag, an @mention, an
emoticon code, a share link, a location tag, a few characters dropped,
punctuation changed, or the post cut short.  Deterministic: the first N
lines of a longer run are the N-line set.
    gen-reposts.py REPOSTS.jsonl N PATH"""
import json
import random
import re
import sys

src, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(18)
posts = [json.loads(l)['text'].replace('\n', ' ').replace('\r', ' ') for l in open(src, encoding='utf-8')]
clauses = [c for p in posts for c in re.split('[，。！？,!?]', p) if 4 <= len(c) <= 30]
emoticons = ['[蜡烛]', '[泪]', '[怒]', '[赞]', '[心]', '[哈哈]', '[doge]', '[围观]']
names = ['人民日报', '央视新闻', '头条新闻', '微博辟谣', '北京晚报', '小明同学', 'Alice_2015']
places = ['北京·工体', '上海·南京东路', '深圳·桃源街区', '文化路', '成都·春熙路']


def link():
    return 'http://t.cn/R' + ''.join(random.choice('ABCDEFGHJKabcdefhk0123456789') for _ in range(6))


def repost(p):
    s = list(p)
    for _ in range(random.choice((0, 0, 1, 2, 3))):  # a few characters dropped
        if len(s) > 10:
            del s[random.randrange(len(s))]
    s = ''.join(s)
    if random.random() < 0.15 and len(s) > 40:  # cut short
        s = s[:int(len(s) * random.uniform(0.8, 0.95))] + '……'
    if random.random() < 0.3:
        s = random.choice(clauses) + '！' + s
    if random.random() < 0.3:
        s = s + ' ' + random.choice(clauses)
    if random.random() < 0.2:
        s = '#' + random.choice(clauses)[:8] + '#' + s
    if random.random() < 0.3:
        s = s + ' @' + random.choice(names) + ' '
    if random.random() < 0.3:
        s = s + random.choice(emoticons) * random.randint(1, 3)
    if random.random() < 0.2:
        s = s + ' ' + link()
    if random.random() < 0.1:
        s = s + ' 2' + random.choice(places)
    if random.random() < 0.2:
        s = s.replace('，', ',').replace('。', '.')
    return s


with open(path, 'w', encoding='utf-8') as f:
    for i in range(n):
        f.write(repost(random.choice(posts)) + '\n')
