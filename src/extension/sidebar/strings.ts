/**
 * The webview's strings, localized here (the webview has no English of its own), so the sidebar
 * speaks the same language as the rest of VS Code from the same l10n bundles.
 */
import * as vscode from 'vscode';
import type { Strings } from '../../protocol/messages';

export function webviewStrings(): Strings {
  const t = vscode.l10n.t;
  return {
    searchPlaceholder: t('Search code and notes…'),
    searchLabel: t('Search query'),
    filters: t('Filters'),
    kindAll: t('Code and docs'),
    kindCode: t('Code'),
    kindDoc: t('Docs'),
    globPlaceholder: t('Folder or glob, e.g. src/ or **/*.md'),
    languagePlaceholder: t('Language, e.g. python'),
    results: t('Results'),
    noResults: t('No results.'),
    searching: t('Searching…'),
    typeToSearch: t('Type to search by meaning and keywords.'),
    score: t('Score'),
    why: t('Why it matched'),
    vectorScore: t('Vector similarity'),
    keywordScore: t('Keyword score'),
    matchedTerms: t('Matched terms'),
    topics: t('Topics'),
    tags: t('Tags'),
    related: t('Related'),
    clusterNotes: t('Cluster Notes into Topics'),
    findOutliers: t('Find Outliers'),
    findDuplicates: t('Find Duplicates'),
    classifySelection: t('Classify Selection'),
    indexWorkspace: t('Index Workspace'),
    noTopics: t('No topics yet. Cluster your notes to see them here.'),
    noTags: t('No tags yet. Select text and run "Classify Selection".'),
    noRelated: t('Open an indexed file to see related files.'),
    topicMap: t('Topic map'),
    apply: t('Apply'),
    pin: t('Pin'),
    unpin: t('Unpin'),
    hide: t('Hide'),
    members: t('Members'),
    openToSide: t('Open to the Side'),
    statusNoIndex: t('Not indexed yet.'),
    statusIndexing: t('Indexing…'),
    statusReady: t('Up to date'),
    statusError: t('Error'),
    restricted: t('Restricted Mode: only the offline provider runs.'),
    error: t('Something went wrong'),
    relatedFor: t('Related to {0}'),
    setApiKey: t('Set API Key'),
    chooseProvider: t('Choose Provider'),
  };
}
