"""OpenCC dictionaries as text, for hanfold's table generators.

OpenCC installs its dictionaries as binary .ocd2 files; its own program
`opencc_dict` exports them to text, one `key<TAB>value[ value...]` entry a
line.  Used by gen-tables.py and gen-fastcc.py (stdlib only)."""
import os
import subprocess


def text_path(datadir, name, opencc_dict, tmpdir):
    """Path of dictionary `name` (file name with .ocd2 or .txt, or a bare
    name for NAME.txt/NAME.ocd2) as text: the file itself when it is text,
    else an export into tmpdir made once."""
    path = os.path.join(datadir, name)
    if name.endswith('.txt') or (not name.endswith('.ocd2') and os.path.exists(path + '.txt')):
        return path if name.endswith('.txt') else path + '.txt'
    ocd2 = path if name.endswith('.ocd2') else path + '.ocd2'
    out = os.path.join(tmpdir, os.path.basename(ocd2) + '.txt')
    if not os.path.exists(out):
        subprocess.run([opencc_dict, '-i', ocd2, '-o', out, '-f', 'ocd2', '-t', 'text'],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def entries(path):
    """(key, [values]) for every entry of a text dictionary, in file order;
    comment and empty lines skipped.  An entry without values has []."""
    out = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            key, _, vals = line.partition('\t')
            out.append((key, vals.split(' ') if vals else []))
    return out
