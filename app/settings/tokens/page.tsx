import type { Metadata } from 'next';
import { TokensPage } from '../../_components/tokens-page.tsx';

export const metadata: Metadata = { title: 'API tokens' };

export default function ApiTokensPage() {
  return <TokensPage />;
}
